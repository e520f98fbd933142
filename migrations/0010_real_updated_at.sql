ALTER TABLE `announcements` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `people` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `petitions` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- updatedAt used to be mapped onto created_at (a schema bug): every update overwrote the creation
-- time. Start updated_at from what is there; creation times already overwritten cannot be recovered.
UPDATE `announcements` SET `updated_at` = `created_at`;--> statement-breakpoint
UPDATE `people` SET `updated_at` = `created_at`;--> statement-breakpoint
UPDATE `petitions` SET `updated_at` = `created_at`;
