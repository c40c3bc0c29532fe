"""What each state means to a platform's engineer, for the schema's enum descriptions (the
admin's short labels say less). A value without an entry keeps its label."""

from __future__ import annotations

MEANINGS: dict[str, dict[str, str]] = {
    "OrderStatusEnum": {
        "draft": "Being prepared by the regulator; never shown to you.",
        "issued": "Served on you; report on every item before `due_at`.",
        "acknowledged": "You acknowledged it; the deadline is unchanged.",
        "warned": "The deadline passed with items outstanding: a warning letter was sent and a "
        "new deadline set.",
        "fined": "Still outstanding after the warnings: a fine was assessed (see `fines`).",
        "blocked": "Still outstanding: an access block of your platform was proposed or is in "
        "force.",
        "complied": "Every item is answered; nothing more is due on it.",
        "closed": "Closed by the regulator after compliance.",
        "withdrawn": "Withdrawn by the regulator; nothing is due.",
    },
    "ItemStatusEnum": {
        "pending": "Not answered yet.",
        "removed": "You removed the content.",
        "geo_blocked": "You made it unavailable in Indonesia.",
        "account_suspended": "You suspended the account that posted it.",
        "not_found": "You found nothing at the URL.",
        "disputed": "Under your objection, waiting for an officer.",
        "withdrawn": "Taken out of the order (e.g. your objection was upheld).",
    },
    "ActionEnum": {
        "removed": "The content was removed.",
        "geo_blocked": "The content was made unavailable in Indonesia.",
        "account_suspended": "The account that posted it was suspended.",
        "not_found": "Nothing was found at the URL.",
    },
    "FineStatusEnum": {
        "proposed": "Waiting for a supervisor's approval; nothing is due yet.",
        "assessed": "Due by `due_at`: pay and declare the payment.",
        "paid": "An officer confirmed your payment.",
        "overdue": "Not paid by `due_at`; it climbs the escalation ladder.",
        "waived": "Waived by the regulator; nothing is due.",
        "rejected": "Not approved; nothing is due.",
    },
    "DeliveryOutStatusEnum": {
        "pending": "Waiting for its next attempt.",
        "sending": "Being sent now.",
        "delivered": "Your receiver answered 2xx; it is not sent again.",
        "failed": "Given up after about 27 hours of retries.",
    },
    "NormalizationRequestOutStatusEnum": {
        "requested": "Waiting for two supervisors' decision.",
        "granted": "Access restored (see `conditions` for a conditional grant).",
        "refused": "Refused; `decision_reason` says why.",
    },
    "RegistrationStatusEnum": {
        "registered": "In good standing.",
        "update_required": "Your registration data must be corrected before the period ends.",
        "warned": "The correction period passed: a warning; suspension comes next.",
        "suspended": "Registration suspended; revocation comes next.",
        "blocked": "Access to your domains is blocked.",
        "revoked": "Registration revoked; only your orders and fines remain open to you.",
    },
    "MatchStateOutStatusEnum": {
        "matched": "Your upload matched a listed hash.",
        "found": "You reported the content found on your service.",
        "false_positive": "You reported that it is not the listed content.",
    },
    "ObjectionStatusEnum": {
        "open": "Waiting for an officer's decision.",
        "upheld": "You were right: the items left the order.",
        "rejected": "The items must come down; `decision_reason` says why.",
    },
    "ChangeOutStatusEnum": {
        "accepted": "The record you submitted is now your registration record.",
    },
    "PaymentDeclarationOutStatusEnum": {
        "confirmed": "An officer confirmed this payment.",
    },
    "CommitmentInKindEnum": {
        "policy_enforcement": "Enforcing your own terms against the content and its posters.",
        "other": "Another commitment, said in `text`.",
    },
    "SectorEnum": {
        "games": "Online games.",
        "other": "None of the above.",
    },
    "UnitEnum": {
        "hours": "Hours, as a decimal.",
    },
    "TakedownOutStatusEnum": {
        "submitted": "Waiting for the regulator's triage.",
        "accepted": "Accepted: its URLs are in orders (see each item's `order`).",
        "merged": "Merged into an order already being prepared (see each item's `order`).",
        "declined": "Declined; `decline_reason` says why.",
    },
    "HashTypeEnum": {
        "sha256": "SHA-256 of the file's bytes (64 hexadecimal digits).",
        "md5": "MD5 of the file's bytes (32 hexadecimal digits), as hash-sharing programmes "
        "exchange.",
        "pdq": "PDQ perceptual hash of an image (64 hexadecimal digits).",
    },
    "DesignationKindEnum": {
        "dsa_vlop": "A very large online platform under the EU DSA (45 million or more monthly "
        "recipients in the EU): yearly systemic risk assessments.",
        "dsa_vlose": "A very large online search engine under the EU DSA.",
        "osa_category_1": "A category 1 service under the UK Online Safety Act.",
        "osa_category_2a": "A category 2A (search) service under the UK Online Safety Act.",
        "osa_category_2b": "A category 2B service under the UK Online Safety Act.",
        "risk_assessment": "Designated by the regulator's decision for periodic risk assessments.",
    },
    "DesignationBasisEnum": {
        "user_count": "Designated by its user count (`user_count`, as of `user_count_as_of`).",
        "decision": "Designated by a decision (`decision_reference`).",
    },
    "RiskAreaEnum": {
        "illegal_content": "Illegal content spread through the service.",
        "gender_based_violence": "Gender-based violence, non-consensual and synthetic intimate "
        "images included.",
        "minors": "Harms to minors.",
        "design_features": "Design features that create or amplify risks, such as generative "
        "tools, considered at the design stage.",
    },
    "SeverityEnum": {
        "low": "Unlikely, or with limited harm.",
        "medium": "Likely, or with serious harm.",
        "high": "Likely and with serious harm: mitigated first.",
    },
    "RiskAssessmentStatusEnum": {
        "awaiting": "The cycle is open: submit the assessment by `due_at`.",
        "submitted": "Submitted; officers are reviewing it.",
        "reviewed": "Reviewed: see `findings` and the `measures` ordered.",
    },
    "MeasureStatusEnum": {
        "ordered": "Ordered: take it and report on it by `report_by`.",
        "reported": "Reported on (a later report adds to it).",
        "overdue": "Not reported on by `report_by`.",
    },
    "TurnoverScopeEnum": {
        "worldwide": "Turnover worldwide (what the DSA and the OSA compute fines from).",
        "national": "Turnover in the jurisdiction only.",
    },
    "DataRequestKindEnum": {
        "subscriber": "Who holds an account: name, contact details, registration data.",
        "traffic": "Connection and activity records: logins, IP addresses, times.",
        "content": "What an account posted or stored; needs a court order.",
        "personal": "Specific personal data of a named person; needs a court order.",
    },
    "DataRequestStatusEnum": {
        "open": "Waiting for the platform's answer before `answer_by`.",
        "answered": "The platform answered with files (`files`).",
        "objected": "The platform objected; `objection` gives its reasons.",
    },
    "OfficialLetterOutKindEnum": {
        "fine_assessment": "A fine assessed on an order, with its amount per item.",
        "normalization_decision": "The decision on your request to restore access.",
        "registration_decision": "The decision on your registration application.",
    },
    "OfficialLetterOutStatusEnum": {
        "pending": "Issued; its PDF is waiting to be made.",
        "rendering": "Its PDF is being made.",
        "rendered": "Its PDF can be fetched.",
        "failed": "Its PDF could not be made yet; the regulator is told.",
    },
}
