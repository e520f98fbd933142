-- WITHOUT ROWID (by hand, as token_issuance in 0014): no insertion order joins one erasure's rows.
CREATE TABLE `erased_token_issuance` (
	`scope` text NOT NULL,
	`holder` text NOT NULL,
	`issued_on` integer NOT NULL,
	`blinded_hash` blob,
	PRIMARY KEY(`scope`, `holder`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `people` ADD `erasure_requested_at` integer;--> statement-breakpoint
ALTER TABLE `people` ADD `erased_at` integer;