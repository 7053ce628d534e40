-- The usage log: every question asked, the passages it was given, and the 👍 / 👎 on its answer.
CREATE TABLE IF NOT EXISTS questions (
    id        INTEGER PRIMARY KEY,
    asked_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    chat_type TEXT NOT NULL,
    language  TEXT NOT NULL,
    question  TEXT,           -- NULL when STORE_QUESTION_TEXT is off
    user_id   TEXT,           -- the Telegram user id, or its keyed hash when HASH_USER_IDS is on
    status    TEXT NOT NULL,  -- answered, no_match, empty, no_words, too_long, no_documents
    seconds   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);

-- No foreign key to passages: the log outlives documents that are later changed or removed.
CREATE TABLE IF NOT EXISTS question_passages (
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    rank        INTEGER NOT NULL,
    doc_id      TEXT NOT NULL,
    position    INTEGER NOT NULL,
    score       REAL NOT NULL,
    PRIMARY KEY (question_id, rank)
);

-- One vote per user and question; pressing again replaces it.
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
    given_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (question_id, user_id)
);
