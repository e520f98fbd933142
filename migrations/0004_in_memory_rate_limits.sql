DROP TABLE `rate_limits`;--> statement-breakpoint
DROP INDEX `signatures_petition_ip_idx`;