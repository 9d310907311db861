"""Bulk generation of a city's volume for measuring (the `generate_cases` command): each module fills
what one part of the portal records, in SQL over the rows already there, in the states the services
would leave them (results and delivery, the archive, cross-county hand-offs, ratings)."""
