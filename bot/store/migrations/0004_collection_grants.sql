-- Which collections a chat or user may search, as set by an admin from Telegram (/use); these
-- win over the COLLECTIONS setting for the keys they name. key: a chat or user id, or * for
-- everyone named nowhere; collections: comma-separated names, or * for every collection.
CREATE TABLE IF NOT EXISTS collection_grants (
    key         TEXT PRIMARY KEY,
    collections TEXT NOT NULL,
    granted_by  INTEGER,
    granted_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
