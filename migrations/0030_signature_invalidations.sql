CREATE TABLE `signature_invalidations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`petition_id` integer NOT NULL,
	`count` integer NOT NULL,
	`reason` text NOT NULL,
	`invalidated_at` integer NOT NULL,
	FOREIGN KEY (`petition_id`) REFERENCES `petitions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `signature_invalidations_petition_idx` ON `signature_invalidations` (`petition_id`);--> statement-breakpoint
-- Invalidations made before this table: one per petition and moment (each was one transaction, all its rows one time), their reason uncategorised.
INSERT INTO `signature_invalidations` (`petition_id`, `count`, `reason`, `invalidated_at`)
  SELECT `petition_id`, count(*), 'other', `invalidated_at` FROM `signatures`
  WHERE `invalidated_at` IS NOT NULL GROUP BY `petition_id`, `invalidated_at`;
