ALTER TABLE `blind_keys` ADD `issued_published` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `anonymous_signatures_changed_idx` ON `anonymous_signatures` (`petition_id`,`changed_at`);--> statement-breakpoint
-- Published as it stood at the upgrade: it moves at the next batch boundaries from then on.
UPDATE `blind_keys` SET `issued_published` = `issued`;
