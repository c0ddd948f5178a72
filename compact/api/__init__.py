"""The compact API, one module a resource. After award: `contracts`, `reports` (delivery reports, verification),
`my_contracts` (the supplier's side), `impact`, `tracker` (public). The local Compact page: `register`, `checklist`,
`case_examples`, `partners`, `assessments` (decommissioning). What they share is in `common`, the routes in `urls`.
Each module holds its resource's serializers next to its views."""
