-- Size and modification time of each file, so a reload skips unchanged files without reading them.
ALTER TABLE documents ADD COLUMN file_size INTEGER;
ALTER TABLE documents ADD COLUMN file_mtime_ns INTEGER;
