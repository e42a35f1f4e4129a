-- A SQLite database that is not a benchdb store.
CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);
INSERT INTO notes (text) VALUES ('keep me');
