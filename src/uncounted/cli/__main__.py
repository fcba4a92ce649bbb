from uncounted.cli.main import main

main()
