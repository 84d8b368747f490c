-- Reference data: West Yorkshire's five districts, partner agency types and example
-- agencies. Idempotent: safe to load again.
INSERT INTO districts (code, name) VALUES
    ('BFD', 'Bradford'),
    ('CDE', 'Calderdale'),
    ('KIR', 'Kirklees'),
    ('LDS', 'Leeds'),
    ('WKF', 'Wakefield')
ON CONFLICT (code) DO NOTHING;

INSERT INTO agency_types (code, name) VALUES
    ('childrens_social_care', 'Children''s Social Care'),
    ('youth_justice', 'Youth Justice Service'),
    ('liaison_diversion', 'Liaison and Diversion'),
    ('return_interview', 'Return Home Interview Service'),
    ('health', 'Health'),
    ('education', 'Education'),
    ('childrens_home_provider', 'Children''s Home Provider'),
    ('adult_social_care', 'Adult Social Care'),
    ('police', 'Police'),
    ('other', 'Other')
ON CONFLICT (code) DO NOTHING;

INSERT INTO agencies (name, agency_type, mailbox) VALUES
    ('Leeds Children''s Social Care', 'childrens_social_care', 'csc.leeds@example.invalid'),
    ('Bradford Children''s Social Care', 'childrens_social_care', 'csc.bradford@example.invalid'),
    ('Kirklees Youth Justice Service', 'youth_justice', 'yjs.kirklees@example.invalid'),
    ('West Yorkshire Liaison and Diversion', 'liaison_diversion', 'liaison.diversion@example.invalid'),
    ('Calderdale Return Home Interview Service', 'return_interview', 'rhi.calderdale@example.invalid'),
    ('Wakefield Health Safeguarding', 'health', 'safeguarding.wakefield@example.invalid'),
    ('West Yorkshire Police Early Action', 'police', 'early.action@example.invalid')
ON CONFLICT (name) DO NOTHING;

INSERT INTO agency_districts (agency_id, district_id)
SELECT a.id, d.id FROM agencies a JOIN districts d ON
       (a.name = 'Leeds Children''s Social Care' AND d.code = 'LDS')
    OR (a.name = 'Bradford Children''s Social Care' AND d.code = 'BFD')
    OR (a.name = 'Kirklees Youth Justice Service' AND d.code = 'KIR')
    OR (a.name = 'West Yorkshire Liaison and Diversion')
    OR (a.name = 'West Yorkshire Police Early Action')
    OR (a.name = 'Calderdale Return Home Interview Service' AND d.code = 'CDE')
    OR (a.name = 'Wakefield Health Safeguarding' AND d.code = 'WKF')
ON CONFLICT DO NOTHING;

-- Local authorities (ONS codes): placing and host authorities of placements. West
-- Yorkshire's five, and the authorities that most often place children in or near it.
INSERT INTO local_authorities (code, name) VALUES
    ('E08000032', 'Bradford'),
    ('E08000033', 'Calderdale'),
    ('E08000034', 'Kirklees'),
    ('E08000035', 'Leeds'),
    ('E08000036', 'Wakefield'),
    ('E08000016', 'Barnsley'),
    ('E08000017', 'Doncaster'),
    ('E08000018', 'Rotherham'),
    ('E08000039', 'Sheffield'),
    ('E08000001', 'Bolton'),
    ('E08000002', 'Bury'),
    ('E08000003', 'Manchester'),
    ('E08000004', 'Oldham'),
    ('E08000005', 'Rochdale'),
    ('E08000012', 'Liverpool'),
    ('E08000025', 'Birmingham'),
    ('E06000010', 'Kingston upon Hull'),
    ('E06000011', 'East Riding of Yorkshire'),
    ('E06000012', 'North East Lincolnshire'),
    ('E06000013', 'North Lincolnshire'),
    ('E06000014', 'York'),
    ('E06000065', 'North Yorkshire'),
    ('E10000007', 'Derbyshire'),
    ('E10000017', 'Lancashire'),
    ('E10000019', 'Lincolnshire'),
    ('E10000024', 'Nottinghamshire')
ON CONFLICT (code) DO NOTHING;

-- Default trigger rules (force-wide): force policy, changeable through the API.
INSERT INTO trigger_rules (name, kind, min_episodes, within_days, escalate_after_hours) VALUES
    ('First-time missing child', 'first_time_child', NULL, NULL, 24),
    ('Sudden multiple: 2 episodes within 7 days', 'episodes_within', 2, 7, 24),
    ('Repeat: 3 episodes within 90 days', 'episodes_within', 3, 90, 48),
    ('Missing from an out-of-area placement', 'out_of_area_placement', NULL, NULL, 24),
    ('High-risk episode', 'high_risk', NULL, NULL, 1)
ON CONFLICT (name) DO NOTHING;

-- Each local authority's mailbox for its looked-after children reported missing (demo
-- addresses; set the real ones per authority).
UPDATE local_authorities
   SET mailbox = 'lac.missing@' || lower(replace(replace(name, ' ', '-'), '''', '')) || '.gov.example.invalid'
 WHERE mailbox IS NULL;
