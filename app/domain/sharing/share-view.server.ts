import type { Translate } from "../../i18n/translate";
import { petitionUrl } from "../../platform/site/addresses.server";
import { isPublic, type Petition } from "../petitions/rights.server";
import type { ShareView } from "./share-links";

/**
 * What sharing needs of a petition the reader may see (the loader has already refused anyone else
 * with a 404, so a draft or a petition they may not read gives no title): its address and its
 * preview, in the reader's words. A chat service that fetches the address to unfurl it is a reader
 * without a session, so it gets only what the public page shows: title, summary, count and state.
 */
export function shareView(petition: Petition, { t }: { t: Translate }): ShareView {
  return {
    url: petitionUrl(petition.slug),
    preview: {
      title: petition.title,
      description: t("sharing.preview", {
        state: petition.state,
        count: petition.signatureCount,
        summary: petition.summary,
      }),
      siteName: t("sharing.siteName"),
    },
    // Collecting co-sponsors, the creator shares the link (any colleague signed in may open it);
    // a draft, or one awaiting moderation or hidden, would only answer "not found" to whoever got it.
    offered: petition.state === "collecting" || isPublic(petition),
  };
}
