"""The evaluation API, one module a resource: `evaluations`, `panels` (members, moderator, declarations), `scores`
(an evaluator's own), `moderation`, `results`, `awards`, `packs` (the evaluation pack); what they share is in
`common`, the routes in `urls`. Each module holds its resource's serializers next to its views. Offer content is
read only through `tenders.sealing`."""
