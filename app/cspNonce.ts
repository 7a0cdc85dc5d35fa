// The Content-Security-Policy nonce of the page being rendered on the server (empty in the browser, which hides it).
import { createContext, useContext } from "react";

export const CspNonceContext = createContext<string | undefined>(undefined);

export function useCspNonce(): string | undefined {
  return useContext(CspNonceContext);
}
