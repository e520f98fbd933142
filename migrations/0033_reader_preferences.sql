ALTER TABLE `people` ADD `locale` text;--> statement-breakpoint
ALTER TABLE `people` ADD `time_zone` text;