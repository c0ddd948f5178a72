"""The charters API, one module a resource: `library` (the measure library), `charters` (charters and versions),
`charter_items` (a draft's places, themes, outcomes and measures), `consultations` (consultations and comments);
what they share is in `common`, the routes in `urls`. Each module holds its resource's serializers next to its
views."""
