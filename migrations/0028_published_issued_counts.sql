ALTER TABLE `blind_keys` ADD `issued_published` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `blind_keys` ADD `spent_published` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `anonymous_signatures_changed_idx` ON `anonymous_signatures` (`petition_id`,`changed_at`);--> statement-breakpoint
-- Published as it stood at the upgrade: it moves at the next batch boundaries from then on.
UPDATE `blind_keys` SET `issued_published` = `issued`, `spent_published` = CASE
  WHEN `scope` LIKE 'petition:%' THEN (SELECT count(DISTINCT s.`token_id`) FROM `signatures` s
    WHERE s.`petition_id` = CAST(substr(`blind_keys`.`scope`, 10) AS integer) AND s.`token_id` IS NOT NULL)
  ELSE 0 END;
