-- Articles, their paragraphs and sentences (offsets into the cleaned text), full-text
-- search over sentences, and a log of who changed the corpus.
CREATE TABLE articles (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    outlet             TEXT,
    author             TEXT,
    published          TEXT,               -- ISO date YYYY-MM-DD
    published_inferred INTEGER NOT NULL DEFAULT 0,
    url                TEXT,
    source             TEXT NOT NULL,      -- path, URL, "pasted", "file.jsonl#id"
    source_id          TEXT,               -- an id the source gave the article
    added_by           TEXT NOT NULL,
    added_at           TEXT NOT NULL,      -- ISO timestamp, UTC
    content_hash       TEXT NOT NULL UNIQUE,
    text               TEXT NOT NULL,
    word_count         INTEGER NOT NULL,
    sentence_count     INTEGER NOT NULL,
    dup_sentences      INTEGER NOT NULL DEFAULT 0  -- distinct substantive sentences, for near-duplicate checks
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_source_id ON articles(source_id);

CREATE TABLE paragraphs (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;

CREATE TABLE sentences (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    paragraph    INTEGER NOT NULL,
    idx          INTEGER NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    text         TEXT NOT NULL,
    norm_hash    INTEGER NOT NULL,
    UNIQUE (article_id, idx)
);
CREATE INDEX sentences_hash ON sentences(norm_hash);

CREATE VIRTUAL TABLE sentences_fts USING fts5(
    text, content='sentences', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    article_id INTEGER,                    -- kept after the article is removed
    detail     TEXT NOT NULL DEFAULT ''
);
