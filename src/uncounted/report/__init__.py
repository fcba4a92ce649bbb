"""The HTML report: plain data (:mod:`.model`) → plots (:mod:`.plots`) → one HTML file
(:mod:`.render`). :mod:`.collect` fills the data from a workspace (the only part that reads
the database)."""
