ALTER TABLE `signatures` ADD `department` text;--> statement-breakpoint
ALTER TABLE `signatures` ADD `location` text;--> statement-breakpoint
-- Hand-written (issue 17): keep these statements at the end of the migration.
-- Public signatures record the department and location their signer had; existing ones get the
-- directory's as it is now (the best record there is). Legacy anonymous rows get none.
UPDATE `signatures` SET `department` = (SELECT `department` FROM `people` WHERE `people`.`id` = `signatures`.`person_id`),
  `location` = (SELECT `location` FROM `people` WHERE `people`.`id` = `signatures`.`person_id`)
WHERE `visibility` = 'public' AND `department` IS NULL AND `location` IS NULL;
--> statement-breakpoint
-- Every address hash so far was keyed by the session secret, which lives in the data folder: a copy
-- of that folder reverses them over the company's address range. They go, anonymous and public;
-- new ones are keyed by IP_HASH_KEY (or a key held only in memory).
UPDATE `signatures` SET `ip_hash` = NULL WHERE `ip_hash` IS NOT NULL;
