import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useLoaderData, useLocation } from "@remix-run/react";
import styles from "./tailwind.css";
import { ErrorPage } from "./components/ErrorPage.tsx";
import { langFromCookieHeader, translate, type Lang } from "#common/i18n/messages.ts";
import { titleMeta } from "./pageMeta.ts";
import { useLang } from "./useLang.ts";
import { useCspNonce } from "./cspNonce.ts";
import "./loadContext.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta = titleMeta();

export async function loader({ request, context }: LoaderFunctionArgs) {
  const lang = langFromCookieHeader(request.headers.get("Cookie"));
  return json({ lang, user: context.user ? { email: context.user.email } : null, ephemeralDatabase: context.config.ephemeralDatabase });
}

const NAV = [
  { to: "/", key: "nav.analyse", auth: false },
  { to: "/dashboard", key: "nav.dashboard", auth: true },
  { to: "/history", key: "nav.history", auth: true },
  { to: "/batch", key: "nav.batch", auth: true },
  { to: "/settings", key: "nav.settings", auth: true },
  // Swagger UI is served by Express, not Remix: the browser must load it as a new document.
  { to: "/docs", key: "nav.docs", auth: false, reloadDocument: true },
] as const;

function LanguageSwitch({ lang }: { lang: Lang }) {
  const location = useLocation();
  return (
    <Form method="post" action="/language" className="inline">
      <input type="hidden" name="lang" value={lang === "vi" ? "en" : "vi"} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button type="submit" data-testid="language-switch" className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100" aria-label={translate(lang, "lang.label")}>
        {translate(lang, "lang.switch")}
      </button>
    </Form>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  const data = useLoaderData<typeof loader>();
  const { lang, t } = useLang();
  const links = NAV.filter((item) => !item.auth || data?.user);
  const navClass = ({ isActive }: { isActive: boolean }) =>
    `block rounded-md px-3 py-2 text-sm font-medium ${isActive ? "bg-orange-100 text-orange-800" : "text-slate-700 hover:bg-slate-100"}`;
  const account = data?.user ? (
    <>
      <span className="hidden text-sm text-slate-600 lg:inline" data-testid="current-user">{data.user.email}</span>
      <Link to="/logout" className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">{t("nav.logout")}</Link>
    </>
  ) : (
    <>
      <Link to="/login" className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">{t("nav.login")}</Link>
      <Link to="/register" className="rounded-md bg-orange-600 px-3 py-2 text-sm font-medium text-white hover:bg-orange-700">{t("nav.register")}</Link>
    </>
  );
  return (
    <div className="flex min-h-screen flex-col bg-slate-50 text-slate-900">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl items-center gap-3 px-4 py-3">
          <Link to="/" className="text-lg font-bold text-orange-700">{t("app.name")}</Link>
          <nav className="hidden flex-1 gap-1 md:flex" aria-label="main">
            {links.map((item) => (
              <NavLink key={item.to} to={item.to} end reloadDocument={"reloadDocument" in item} className={navClass}>{t(item.key)}</NavLink>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2 md:ml-0">
            <div className="hidden items-center gap-2 md:flex">{account}</div>
            <LanguageSwitch lang={lang} />
            <details className="relative md:hidden">
              <summary className="cursor-pointer list-none rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid="menu-toggle">☰ {t("nav.menu")}</summary>
              <div className="absolute right-0 z-10 mt-2 w-56 rounded-md border border-slate-200 bg-white p-2 shadow-lg">
                {links.map((item) => (
                  <NavLink key={item.to} to={item.to} end reloadDocument={"reloadDocument" in item} className={navClass}>{t(item.key)}</NavLink>
                ))}
                <div className="mt-2 flex flex-col gap-1 border-t border-slate-100 pt-2">{account}</div>
              </div>
            </details>
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-5xl flex-1 px-4 py-6">{children}</main>
      <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-500">
        {data?.ephemeralDatabase ? (
          <p role="note" data-testid="ephemeral-database" className="mx-4 mb-2 max-w-3xl rounded-md bg-amber-100 sm:mx-auto px-3 py-2 text-sm font-medium text-amber-900">{t("footer.ephemeralDatabase")}</p>
        ) : null}
        {t("footer.text")}
      </footer>
    </div>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  const { lang } = useLang();
  const nonce = useCspNonce();
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

export const ErrorBoundary = ErrorPage;
