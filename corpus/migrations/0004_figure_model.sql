-- The neutral figure model: a figure's kind (count, money, percent, change, rate…), the
-- head of what it counts, the event it measures and the party it belongs to replace the
-- war-specific category. Existing figures get a kind from their old category and keep
-- working; their facts version no longer matches the extractors, so `briefbot reindex`
-- (or the start-up catch-up) re-extracts them with every new field filled.
ALTER TABLE figures ADD COLUMN kind TEXT NOT NULL DEFAULT 'count';
ALTER TABLE figures ADD COLUMN thing_head TEXT;
ALTER TABLE figures ADD COLUMN event TEXT;
ALTER TABLE figures ADD COLUMN party TEXT;
UPDATE figures SET kind = CASE category
    WHEN 'money' THEN 'money' WHEN 'percent' THEN 'percent' WHEN 'distance' THEN 'distance'
    WHEN 'duration' THEN 'duration' WHEN 'population' THEN 'population' ELSE 'count' END;
DROP INDEX figures_category;
ALTER TABLE figures DROP COLUMN category;
CREATE INDEX figures_kind ON figures(kind);
CREATE INDEX figures_thing_head ON figures(thing_head);

-- The party joins the searchable columns, so "Labour seats" finds "Labour won 411 seats".
DROP TRIGGER figures_ad;
DROP TABLE figures_fts;
CREATE VIRTUAL TABLE figures_fts USING fts5(
    thing, claimant, context, party, tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO figures_fts(rowid, thing, claimant, context, party)
    SELECT f.id, coalesce(f.thing, ''), coalesce(f.claimant, ''), coalesce(s.text, f.surface), ''
    FROM figures f LEFT JOIN sentences s ON s.id = f.sentence_id;
CREATE TRIGGER figures_ad AFTER DELETE ON figures BEGIN
    DELETE FROM figures_fts WHERE rowid = old.id;
END;
