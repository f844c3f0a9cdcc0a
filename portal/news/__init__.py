"""Campaign news: written by staff in one or more languages, national or for one region."""
