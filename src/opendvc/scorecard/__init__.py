"""The Decision 766/QĐ-TTg scorecard (Bộ chỉ số phục vụ người dân, doanh nghiệp), computed in real time.

Owns the scorecard definition (criteria, points, targets: data, versioned), per-agency counters by day and
by month that every dossier, payment and feedback change updates in its own transaction, the computation
of scores for any period and level (agency, province or ministry, nation), the public ranking and agency
pages with their charts and downloads, and the scorecard API. It reads dossiers, payments, feedback and the
catalogue, and listens to their events; nothing imports it.
"""
