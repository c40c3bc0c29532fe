"""A small, realistic data set for trying the system; safe to load again (nothing duplicates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction

from agencies import services as agencies
from agencies.models import AgencyMember
from compliance.kernel.actors import Actor
from fingerprints import services as fingerprints
from fingerprints.models import HashList
from notices import services as notices
from notices.models import Agency, ContentCategory, RemovalOrder
from registry import services as registry
from registry.models import Platform, Sector
from transparency.services import transparency_refresh_due

DEMO_USERS = {
    # username: (role group or None for superuser, password)
    "admin": (None, "demo-admin-2026"),
    "officer": ("officer", "demo-officer-2026"),
    "officer2": ("officer", "demo-officer2-2026"),
    "supervisor": ("supervisor", "demo-supervisor-2026"),
    "supervisor2": ("supervisor", "demo-supervisor2-2026"),
    "auditor": ("auditor", "demo-auditor-2026"),
    # Acts for the police's cyber crime directorate in the admin (its requests only).
    "police": ("agency staff", "demo-police-2026"),
}

DEMO_PLATFORMS: list[dict[str, Any]] = [
    {
        "record": {
            "name": "Kilat Video",
            "legal_name": "PT Kilat Video Nusantara",
            "sector": Sector.SOCIAL_MEDIA,
            "business_model": "Short-video sharing, advertising funded",
            "is_ugc": True,
            "user_count": 48_000_000,
            "personal_data_processed": "Name, phone number, device identifiers, location",
            "data_location": "Jakarta, Indonesia",
        },
        "domains": ["kilatvideo.example", "cdn.kilatvideo.example"],
        "contacts": [
            {
                "name": "Sari Wulandari",
                "role": "Head of Trust & Safety",
                "email": "tns@kilatvideo.example",
                "phone": "+62 21 555 0101",
            },
        ],
        "registered": True,
    },
    {
        "record": {
            "name": "GlobalChat",
            "legal_name": "GlobalChat Pte. Ltd.",
            "sector": Sector.MESSAGING,
            "business_model": "Messaging with public channels, freemium",
            "is_ugc": True,
            "is_foreign": True,
            "country": "SG",
            "leadership": "CEO: A. Tan; Legal director: M. Lim",
            "incorporation_number": "201912345K",
            "user_count": 21_500_000,
            "personal_data_processed": "Phone number, contacts, message metadata",
            "data_location": "Singapore",
        },
        "domains": ["globalchat.example"],
        "contacts": [
            {
                "name": "Budi Santoso",
                "role": "Indonesia country representative",
                "email": "id-legal@globalchat.example",
                "phone": "+62 21 555 0202",
            },
        ],
        "registered": True,
    },
    {
        "record": {
            "name": "Toko Rakyat",
            "legal_name": "PT Toko Rakyat Digital",
            "sector": Sector.ECOMMERCE,
            "business_model": "Marketplace commission",
            "is_ugc": False,
            "user_count": 9_000_000,
            "personal_data_processed": "Name, address, payment data",
            "data_location": "Surabaya, Indonesia",
        },
        "domains": ["tokorakyat.example"],
        "contacts": [
            {
                "name": "Dewi Lestari",
                "role": "Compliance manager",
                "email": "compliance@tokorakyat.example",
                "phone": "+62 31 555 0303",
            },
        ],
        "registered": True,
    },
    {
        "record": {
            "name": "Judi Lucky88",
            "legal_name": "Unknown operator",
            "sector": Sector.GAMES,
            "business_model": "Online gambling (prohibited)",
            "is_ugc": False,
        },
        "domains": ["lucky88-judi.example"],
        "contacts": [],
        "registered": False,
    },
]


# (platform, category, description, URLs, stage): the stage the demo leaves the order in.
DEMO_ORDERS = [
    (
        "Kilat Video",
        "ncii",
        "Demo: AI-generated intimate images of a public figure",
        ["https://kilatvideo.example/v/8812", "https://kilatvideo.example/v/8813"],
        "issued",
    ),
    (
        "Kilat Video",
        "csam",
        "Demo: hotline report, child abuse material",
        ["https://kilatvideo.example/v/9001"],
        "acknowledged",
    ),
    (
        "GlobalChat",
        "terrorism",
        "Demo: channel distributing attack propaganda",
        ["https://globalchat.example/c/propaganda-77"],
        "complied",
    ),
    (
        "Toko Rakyat",
        "fraud",
        "Demo: counterfeit medicine listings",
        ["https://tokorakyat.example/item/5521", "https://tokorakyat.example/item/5522"],
        "draft",
    ),
    (
        "Judi Lucky88",
        "gambling",
        "Demo: unlicensed online casino",
        ["https://lucky88-judi.example/"],
        "issued",
    ),
]


# A hash list to try the fingerprint API with: hashes only (no files), as a victim-support
# agency submits them; the values are of two pictures drawn for the demo.
DEMO_HASH_LIST = "NCII and deepfakes (demo)"
DEMO_HASHES = [
    fingerprints.HashInput(
        "pdq", "b7d2927b2f40618ce8ed0d561ee3f093b1921f8b6d76e06943e07d569a2925d2", quality=84
    ),
    fingerprints.HashInput(
        "pdq", "c33ecf302c8114c693fecf1b7cc169e393b68716f68140c781fe79796e0194b4", quality=100
    ),
    fingerprints.HashInput("md5", "2a2bcab7236636727b7900893db05df5"),
]


@dataclass
class SeedResult:
    users_created: int = 0
    platforms_created: int = 0
    orders_created: int = 0
    hash_lists_created: int = 0


def demo_seed() -> SeedResult:
    result = SeedResult()
    with transaction.atomic():
        for username, (role, password) in DEMO_USERS.items():
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(
                username=username, password=password, is_staff=True, is_superuser=role is None
            )
            if role:
                user.groups.add(Group.objects.get(name=role))
            result.users_created += 1
        police = User.objects.get(username="police")
        if not AgencyMember.objects.filter(user=police).exists():
            agencies.agency_member_add(
                actor=Actor.staff(User.objects.get(username="admin")),
                user=police,
                agency=Agency.objects.get(kind=Agency.Kind.LAW_ENFORCEMENT),
            )
        officer = Actor.staff(User.objects.get(username="officer"))
        for spec in DEMO_PLATFORMS:
            if Platform.objects.filter(name=spec["record"]["name"]).exists():
                continue
            platform = registry.platform_create(
                actor=officer,
                record=spec["record"],
                domains=spec["domains"],
                contacts=spec["contacts"],
            )
            if spec["registered"]:
                platform = registry.platform_file_application(platform=platform, actor=officer)
                registry.platform_approve(platform=platform, actor=officer)
            result.platforms_created += 1
        agency = Agency.objects.get(kind=Agency.Kind.MINISTRY)
        for name, category, description, urls, stage in DEMO_ORDERS:
            platform = Platform.objects.get(name=name)
            if RemovalOrder.objects.filter(platform=platform, description=description).exists():
                continue
            _demo_order(officer, platform, agency, category, description, urls, stage)
            result.orders_created += 1
        if not HashList.objects.filter(name=DEMO_HASH_LIST).exists():
            hash_list = fingerprints.hash_list_create(
                actor=officer,
                name=DEMO_HASH_LIST,
                category=ContentCategory.objects.get(code="ncii"),
            )
            fingerprints.hash_entries_add(
                actor=officer, hash_list=hash_list, hashes=DEMO_HASHES, note="Demo data"
            )
            result.hash_lists_created += 1
    # The public pages show the demo at once, not after beat's first hourly refresh.
    transparency_refresh_due()
    return result


def _demo_order(
    officer: Actor,
    platform: Platform,
    agency: Agency,
    category: str,
    description: str,
    urls: list[str],
    stage: str,
) -> None:
    order = notices.order_create(
        actor=officer,
        platform=platform,
        agency=agency,
        category=ContentCategory.objects.get(code=category),
        legal_basis="MR5 Art. 9(4)",
        description=description,
        items=[notices.ItemInput(url=url) for url in urls],
    )
    if stage == "draft":
        return
    order = notices.order_issue(order=order, actor=officer)
    if stage == "acknowledged":
        notices.order_acknowledge(order=order, actor=Actor.of_platform(platform))
    elif stage == "complied":
        notices.order_items_report(
            order=order,
            actor=Actor.of_platform(platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )
