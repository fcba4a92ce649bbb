"""Link runs, persons (clusters of records), human decisions and the review queue."""
