CREATE TABLE `log_checkpoints` (
	`size` integer PRIMARY KEY NOT NULL,
	`root` blob NOT NULL,
	`note` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `log_cosignatures` (
	`size` integer NOT NULL,
	`witness` text NOT NULL,
	`key_id` integer NOT NULL,
	`time` integer NOT NULL,
	`line` text NOT NULL,
	PRIMARY KEY(`size`, `witness`, `key_id`),
	FOREIGN KEY (`size`) REFERENCES `log_checkpoints`(`size`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `log_cosignatures_witness_idx` ON `log_cosignatures` (`witness`,`key_id`,`size`);--> statement-breakpoint
CREATE TABLE `log_key` (
	`id` integer PRIMARY KEY NOT NULL,
	`origin` text NOT NULL,
	`private_key` text NOT NULL,
	`vkey` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `log_leaves` (
	`idx` integer PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`scope` text,
	`petition_id` integer
);
--> statement-breakpoint
CREATE INDEX `log_leaves_scope_idx` ON `log_leaves` (`scope`,`idx`);--> statement-breakpoint
CREATE INDEX `log_leaves_petition_idx` ON `log_leaves` (`petition_id`,`idx`);--> statement-breakpoint
CREATE TABLE `log_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
