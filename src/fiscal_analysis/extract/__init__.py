"""Published disclosure (text or PDF) -> dataset rows and an extraction report."""
