"""The tenders API, one module a resource: `tenders` (lists, a tender, its transitions), `tender_parts` (a draft's
lots, relevant measures and questions), `clarifications`, `offers` (the bidder's own), `staff_offers` (through the
seal); what they share is in `common`, the routes in `urls`. Each module holds its resource's serializers next to its
views."""
