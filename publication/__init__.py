"""Open-data publication: what the service publishes about the authorities' procurement, read from every stage
(tenders, evaluation, compact) and so above all of them. Today the Open Contracting Data Standard packages with the
social value extension (`ocds.py`, validated by `ocds_schema.py`); Procurement Act notices belong here too."""
