from django.db import migrations

# The profiles beside MR5 as compliance/policies/profiles.py defines them (this frozen copy is
# tested equal to it).
PROFILES = [{'name': 'eSafety (Australia)',
  'jurisdiction': 'Australia',
  'description': 'Online Safety Act 2021 (Cth), Part 6 (non-consensual intimate images): a '
                 'removal notice is complied with within 24 hours (s 77, s 80); then a formal '
                 'warning (s 81) and an infringement notice (s 82) of 60 penalty units for a '
                 'body corporate. Civil penalty proceedings (s 80: up to 500 penalty units) '
                 'are for a court: the ladder ends there.',
  'notice_hours': 24,
  'urgent_notice_hours': 24,
  'ladder': [{'action': 'warning',
              'period_hours': 24,
              'legal_basis': 'Online Safety Act 2021 (Cth) s 81 (formal warning: removal '
                             'notice not complied with)'},
             {'action': 'warning_fine',
              'period_hours': 24,
              'fine': {'rule': 'fixed', 'amount': '19800.00'},
              'needs_approval': True,
              'legal_basis': 'Online Safety Act 2021 (Cth) s 82 (infringement notice: 60 '
                             'penalty units)'}],
  'currency': 'AUD',
  'fine_cap_per_item': '0.00',
  'fines_only_ugc': False,
  'fine_payment_days': 28,
  'fines_need_approval': False,
  'data_request_days': 14,
  'data_request_ladder': [{'action': 'warning',
                           'period_days': 7,
                           'legal_basis': 'Online Safety Act 2021 (Cth) Part 13 '
                                          '(information-gathering powers)'},
                          {'action': 'supervisor_referral',
                           'period_days': 1,
                           'legal_basis': 'Online Safety Act 2021 (Cth) Part 13 '
                                          '(information-gathering powers)'}],
  'risk_assessment_ladder': [{'action': 'warning',
                              'period_days': 14,
                              'legal_basis': 'Online Safety Act 2021 (Cth) Part 4 (basic '
                                             'online safety expectations): warning to report'},
                             {'action': 'supervisor_referral',
                              'period_days': 1,
                              'legal_basis': 'Online Safety Act 2021 (Cth) Part 4 (basic '
                                             'online safety expectations): referral for '
                                             'enforcement'}]},
 {'name': 'EU Digital Services Act',
  'jurisdiction': 'European Union',
  'description': 'Regulation (EU) 2022/2065: an order to act against illegal content (Art. 9), '
                 '24 hours unless it says otherwise, one hour when urgent (as for terrorist '
                 'content, Regulation (EU) 2021/784 Art. 3(3)); then an order to cease (Art. '
                 '51(2)(b)), a fine of up to 6% of annual worldwide turnover (Art. 52(3)), a '
                 'periodic penalty of up to 5% of average daily worldwide turnover for each '
                 'day until compliance (Art. 52(4)) and, as a last resort, a request for a '
                 'temporary restriction of access (Art. 51(3)(b)).',
  'notice_hours': 24,
  'urgent_notice_hours': 1,
  'ladder': [{'action': 'warning',
              'period_hours': 24,
              'urgent_period_hours': 4,
              'legal_basis': 'EU DSA Art. 51(2)(b) (order to cease the infringement)'},
             {'action': 'warning_fine',
              'period_hours': 72,
              'fine': {'rule': 'turnover_share', 'share': '0.06'},
              'needs_approval': True,
              'legal_basis': 'EU DSA Art. 51(2)(c) and 52(3) (fine of up to 6% of annual '
                             'worldwide turnover)'},
             {'action': 'warning_fine',
              'period_hours': 168,
              'fine': {'rule': 'periodic', 'share': '0.05'},
              'needs_approval': True,
              'legal_basis': 'EU DSA Art. 51(2)(d) and 52(4) (periodic penalty of up to 5% of '
                             'average daily worldwide turnover per day)'},
             {'action': 'block_proposal',
              'period_hours': 24,
              'legal_basis': 'EU DSA Art. 51(3)(b) (temporary restriction of access, ordered '
                             'by a judicial authority)'}],
  'currency': 'EUR',
  'fine_cap_per_item': '0.00',
  'fines_only_ugc': False,
  'fine_payment_days': 30,
  'fines_need_approval': False,
  'data_request_days': 10,
  'data_request_ladder': [{'action': 'warning',
                           'period_days': 5,
                           'legal_basis': 'EU DSA Art. 51(1)(a) (request to provide '
                                          'information)'},
                          {'action': 'supervisor_referral',
                           'period_days': 1,
                           'legal_basis': 'EU DSA Art. 52(3) (fine of up to 1% for failing to '
                                          'reply)'}],
  'risk_assessment_ladder': [{'action': 'warning',
                              'period_days': 14,
                              'legal_basis': 'EU DSA Art. 34-35 (systemic risk assessment and '
                                             'mitigation): warning to submit'},
                             {'action': 'supervisor_referral',
                              'period_days': 1,
                              'legal_basis': 'EU DSA Art. 73-74 (non-compliance decision, '
                                             'fines)'}]},
 {'name': 'UK Online Safety Act',
  'jurisdiction': 'United Kingdom',
  'description': 'Online Safety Act 2023: illegal content is taken down swiftly (s 10(3)(b)); '
                 'then a provisional notice of contravention (s 130), a confirmation decision '
                 'with a penalty of the greater of GBP 18 million and 10% of qualifying '
                 'worldwide revenue (s 132, Sch. 13 para. 4) and, as a last resort, business '
                 'disruption measures made by a court (s 144-147).',
  'notice_hours': 24,
  'urgent_notice_hours': 4,
  'ladder': [{'action': 'warning',
              'period_hours': 72,
              'legal_basis': 'UK OSA s 130 (provisional notice of contravention)'},
             {'action': 'warning_fine',
              'period_hours': 168,
              'fine': {'rule': 'turnover_share', 'share': '0.10', 'floor': '18000000'},
              'needs_approval': True,
              'legal_basis': 'UK OSA s 132 and Sch. 13 para. 4 (confirmation decision: penalty '
                             'of the greater of GBP 18 million and 10% of qualifying worldwide '
                             'revenue)'},
             {'action': 'block_proposal',
              'period_hours': 24,
              'legal_basis': 'UK OSA s 144-147 (business disruption measures, made by a '
                             'court)'}],
  'currency': 'GBP',
  'fine_cap_per_item': '0.00',
  'fines_only_ugc': False,
  'fine_payment_days': 28,
  'fines_need_approval': False,
  'data_request_days': 10,
  'data_request_ladder': [{'action': 'warning',
                           'period_days': 5,
                           'legal_basis': 'UK OSA s 100 (information notices)'},
                          {'action': 'supervisor_referral',
                           'period_days': 1,
                           'legal_basis': 'UK OSA Part 7 Chapter 6 (enforcement of information '
                                          'notices)'}],
  'risk_assessment_ladder': [{'action': 'warning',
                              'period_days': 14,
                              'legal_basis': 'UK OSA s 9 (illegal content risk assessment '
                                             'duties): warning to submit'},
                             {'action': 'supervisor_referral',
                              'period_days': 1,
                              'legal_basis': 'UK OSA s 130-132 (provisional notice and '
                                             'confirmation decision)'}]}]

TERM_KEYS = [
    "notice_hours",
    "urgent_notice_hours",
    "ladder",
    "currency",
    "fine_cap_per_item",
    "fines_only_ugc",
    "fine_payment_days",
    "fines_need_approval",
]


def create_profiles(apps, schema_editor):
    """Each profile as version 1 of a policy, unless a policy of that name exists already."""
    Policy = apps.get_model("compliance", "EscalationPolicy")
    Version = apps.get_model("compliance", "EscalationPolicyVersion")
    for profile in PROFILES:
        fields = {k: v for k, v in profile.items() if k != "name"}
        policy, created = Policy.objects.get_or_create(
            name=profile["name"], defaults={**fields, "version": 1}
        )
        if created:
            terms = {key: profile[key] for key in TERM_KEYS}
            Version.objects.create(policy=policy, version=1, terms=terms)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0034_risk_assessment_ladder")]

    operations = [migrations.RunPython(create_profiles, migrations.RunPython.noop)]
