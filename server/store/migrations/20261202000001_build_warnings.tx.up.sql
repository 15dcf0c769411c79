-- The warnings of a build's pipeline file (JSON: file, line, column,
-- message), shown with the build; NULL when there are none.
ALTER TABLE builds ADD COLUMN warnings TEXT;
