"""Every legal citation the engine writes into decisions and letters, each defined once.

MR5 is Indonesia's Ministerial Regulation 5 of 2020 on private-scope electronic system
operators, as amended by Regulation 10 of 2021; article numbers are MR5's.
"""

REGISTRATION = "MR5 Art. 2-4 (registration)"
REGISTRATION_CHANGE = "MR5 Art. 5 (changes to registration data)"
REGISTRATION_FAULTS = "MR5 Art. 7 (registration faults)"
REGISTRATION_BLOCK = "MR5 Art. 7(2)(c) and Art. 15(12) (access block)"
TAKEDOWN_REQUEST = "MR5 Art. 14 (requests for termination of access)"
REMOVAL = "MR5 Art. 15-16 (removal within the deadline)"
OBJECTION = "MR5 Art. 15 (platform objection)"
WARNING_LETTER = "MR5 Art. 15(11) and 16(12) (warning letters)"
# A fine is assessed with a letter (15(10) and (11)); paying, waiving or lapsing it is 15(10).
FINE_WITH_LETTER = "MR5 Art. 15(10) and 15(11) (administrative fine)"
FINE = "MR5 Art. 15(10) (administrative fine)"
# The sweep's block proposals and the supervisors' decisions on them cite the same articles.
ACCESS_BLOCK = "MR5 Art. 15(12), 16(13), 18-19 (access block)"
# Fingerprints of content ordered removed, shared so platforms keep it from coming back.
DIRECT_BLOCK = "MR5 Art. 9(3)-(6) (termination of access to prohibited content)"
HASH_LISTS = "MR5 Art. 9(3)-(4) and 15 (preventing prohibited content, removal)"
DATA_ACCESS = "MR5 Art. 21-46 (access to systems and data for supervision and law enforcement)"
# What a fine set as a share of turnover is computed from (EU DSA Art. 52, 74, 76; UK OSA
# Sch. 13).
TURNOVER = "Declared turnover (EU DSA Art. 52(3)-(4), 74 and 76; UK OSA Sch. 13 para. 4)"
DESIGNATIONS = {
    "dsa_vlop": "EU DSA Art. 33 (designation of very large online platforms)",
    "dsa_vlose": "EU DSA Art. 33 (designation of very large online search engines)",
    "osa_category_1": "UK OSA s. 94-95 and Sch. 11 (category 1 services)",
    "osa_category_2a": "UK OSA s. 94-95 and Sch. 11 (category 2A services)",
    "osa_category_2b": "UK OSA s. 94-95 and Sch. 11 (category 2B services)",
    "risk_assessment": "Regulator's decision (periodic risk assessments)",
}
TRANSPARENCY = "Regulator's transparency policy (published enforcement statistics)"
NORMALIZATION = "MR5 Art. 20 (normalization)"
POLICY = "Regulator's enforcement policy"
