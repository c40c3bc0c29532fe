"""Official letters rendered to PDF: what each letter states (facts), in words (text), laid
out (pdf), and the worker that renders issued letters and records their hashes (render)."""
