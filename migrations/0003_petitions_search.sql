-- Full-text search over petitions (title, summary, body), kept in step by triggers.
CREATE VIRTUAL TABLE `petitions_fts` USING fts5(title, summary, body, content='petitions', content_rowid='id', tokenize='porter unicode61');
--> statement-breakpoint
CREATE TRIGGER `petitions_fts_insert` AFTER INSERT ON `petitions` BEGIN
  INSERT INTO petitions_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `petitions_fts_delete` AFTER DELETE ON `petitions` BEGIN
  INSERT INTO petitions_fts(petitions_fts, rowid, title, summary, body) VALUES ('delete', old.id, old.title, old.summary, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `petitions_fts_update` AFTER UPDATE OF title, summary, body ON `petitions` BEGIN
  INSERT INTO petitions_fts(petitions_fts, rowid, title, summary, body) VALUES ('delete', old.id, old.title, old.summary, old.body);
  INSERT INTO petitions_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
END;
--> statement-breakpoint
-- The ledger is append-only, like the audit log.
CREATE TRIGGER `ledger_entries_no_update` BEFORE UPDATE ON `ledger_entries` BEGIN
  SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_entries_no_delete` BEFORE DELETE ON `ledger_entries` BEGIN
  SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;
--> statement-breakpoint
INSERT INTO `milestone_defaults` (`threshold`, `response_required`, `response_days`) VALUES (100, 0, NULL), (500, 0, NULL), (1500, 1, 14);
