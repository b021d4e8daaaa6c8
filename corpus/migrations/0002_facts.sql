-- Facts extracted from each article, every one tied to its article and sentence so an
-- answer can quote its source. Deleting an article deletes its facts (cascade).
CREATE TABLE figures (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    sentence_id   INTEGER REFERENCES sentences(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    surface       TEXT NOT NULL,
    low           REAL,
    high          REAL,
    qualifier     TEXT NOT NULL,
    unit          TEXT,
    unit_original TEXT,
    thing         TEXT,
    category      TEXT NOT NULL,
    claimant      TEXT,
    time_scope    TEXT
);
CREATE INDEX figures_article ON figures(article_id);
CREATE INDEX figures_category ON figures(category);

CREATE VIRTUAL TABLE figures_fts USING fts5(
    thing, claimant, context, tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER figures_ad AFTER DELETE ON figures BEGIN
    DELETE FROM figures_fts WHERE rowid = old.id;
END;

CREATE TABLE quotes (
    id                 INTEGER PRIMARY KEY,
    article_id         INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    sentence_id        INTEGER REFERENCES sentences(id) ON DELETE CASCADE,
    start              INTEGER NOT NULL,
    end                INTEGER NOT NULL,
    text               TEXT NOT NULL,
    speaker            TEXT,
    speaker_as_written TEXT,
    speaker_role       TEXT,
    attribution        TEXT NOT NULL
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker);

CREATE VIRTUAL TABLE quotes_fts USING fts5(
    text, speaker, tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
    DELETE FROM quotes_fts WHERE rowid = old.id;
END;

CREATE TABLE mentions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    sentence_id INTEGER REFERENCES sentences(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    label       TEXT NOT NULL
);
CREATE INDEX mentions_article ON mentions(article_id);
CREATE INDEX mentions_text ON mentions(text);

-- Corpus-level alias groups: every surface name seen, the group it belongs to and the
-- group's voted type. Rebuilt incrementally as articles arrive.
CREATE TABLE entity_names (
    name      TEXT PRIMARY KEY,
    canonical TEXT NOT NULL,
    label     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX entity_names_canonical ON entity_names(canonical);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    sentence_id INTEGER REFERENCES sentences(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    surface     TEXT NOT NULL,
    date        TEXT NOT NULL,
    precision   TEXT NOT NULL
);
CREATE INDEX events_article ON events(article_id);
CREATE INDEX events_date ON events(date);

-- Which extractor version produced an article's facts, so reindex can tell.
ALTER TABLE articles ADD COLUMN facts_version INTEGER NOT NULL DEFAULT 0;
