"""The compact pages' forms, one module per area, named as the views modules that use them (filter forms stay
with their list views)."""
