-- When this ran: petition feed events from before it keep the entry ids readers already hold (when valid);
-- later ones get ids made of stable data (app/domain/petitions/feed.server.ts).
INSERT OR IGNORE INTO `site_settings` (`key`, `value`) VALUES ('feedIdsStableSince', cast(unixepoch('subsec') * 1000 as integer));
