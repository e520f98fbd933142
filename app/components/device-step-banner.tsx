import { Link, useLocation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { anonymityAvailable } from "../browser/background-tokens";
import { walletSecret } from "../browser/wallet/store";
import { useT } from "../i18n/translate";
import { SETUP_PATH } from "./anonymous-signing";

const DISMISSED = "undersigned:device-step-later";

/**
 * Offered alike to everyone signed in on a device without the wallet secret, whatever they mean to
 * do (so that taking the step says nothing about signing): get this device ready for anonymous
 * signing. "Not now" hides it for this browser session.
 */
export function DeviceStepBanner() {
  const t = useT();
  const [shown, setShown] = useState(false);
  const { pathname } = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: looked at again after each navigation (the step may just have been taken)
  useEffect(() => {
    if (!anonymityAvailable() || sessionStorage.getItem(DISMISSED)) return;
    let stopped = false;
    void walletSecret().then((secret) => !stopped && setShown(secret === null));
    return () => {
      stopped = true;
    };
  }, [pathname]);
  if (!shown || pathname === SETUP_PATH) return null;
  return (
    <section className="flash flash-info device-step" aria-label={t("signing.deviceStep.label")}>
      <p>
        {t.rich("signing.deviceStep.text", {
          link: (chunks) => (
            <Link to={`${SETUP_PATH}?${new URLSearchParams({ back: pathname })}`}>{chunks}</Link>
          ),
        })}{" "}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            sessionStorage.setItem(DISMISSED, "1");
            setShown(false);
          }}
        >
          {t("signing.deviceStep.notNow")}
        </button>
      </p>
    </section>
  );
}
