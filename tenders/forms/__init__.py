"""The tenders pages' forms, one module per area, named as the views modules that use them (intake: the tender
itself; filter forms stay with their list views)."""
