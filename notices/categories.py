"""The content categories the engine ships with (migration notices.0002 loads them): code,
meaning, and whether orders in it are urgent (MR5 Art. 14(3)). A regulator may add its own;
the API schema lists these."""

SHIPPED = [
    ("csam", "Child sexual exploitation and abuse material", True),
    ("ncii", "Non-consensual intimate images and sexual deepfakes", False),
    ("terrorism", "Terrorism and violent extremism", True),
    ("public-order", "Content disturbing public order", True),
    ("gambling", "Online gambling", False),
    ("fraud", "Fraud and scams", False),
    ("privacy", "Privacy violations and doxxing", False),
    ("other", "Other prohibited content", False),
]
