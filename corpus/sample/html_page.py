"""News pages the way sites serve them: the article inside navigation, a cookie banner, sidebars, related
links and a footer - the boilerplate an HTML extractor has to leave out.

The article is a plain ``<article>`` with ``<h1>``, a byline and ``<p>`` paragraphs, so trafilatura and
resiliparse both find it; the site chrome is made of words of the page's own language, so a German page
stays German whatever an extractor keeps. ``app_shell_page`` has no text at all (a JavaScript app before
it runs): every extractor returns nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np

from corpus.sample.textgen import language

_HTML_LANG = {"zh": "zh-CN"}


@dataclass(frozen=True)
class SiteChrome:
    """What every page of one site shares: menu labels, footer links, the cookie banner."""

    nav: tuple[str, ...]
    footer: tuple[str, ...]
    cookie: str


def site_chrome(rng: np.random.Generator, lang: str) -> SiteChrome:
    L = language(lang)
    return SiteChrome(
        nav=tuple(_label(L.word(rng, "NOUN")) for _ in range(7)),
        footer=tuple(_label(L.word(rng, "NOUN")) for _ in range(4)),
        cookie=L.text(rng, 2, paragraph_prob=0.0),
    )


def article_page(
    rng: np.random.Generator,
    chrome: SiteChrome,
    lang: str,
    site: str,
    url: str,
    headline: str,
    paragraphs: list[str],
    date: str,
    author: str,
    related: list[str],
) -> str:
    """A full news page around one article; ``related`` are 8 headlines for the sidebars."""
    nav, footer_links, cookie = chrome.nav, chrome.footer, chrome.cookie
    section = nav[int(rng.random() * len(nav))]
    e = escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{_HTML_LANG.get(lang, lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(headline)} | {e(site)}</title>
<meta name="description" content="{e(paragraphs[0][:150])}">
<meta property="og:title" content="{e(headline)}">
<meta property="article:published_time" content="{date}">
<link rel="canonical" href="{e(url)}">
<link rel="stylesheet" href="/static/css/site.min.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());</script>
</head>
<body class="article-page">
<div id="cookie-consent" class="cookie-banner" role="dialog"><p>{e(cookie)}</p><button class="accept">OK</button><button class="settings">&#9881;</button></div>
<header class="site-header">
<a class="logo" href="/">{e(site)}</a>
<nav class="main-nav"><ul>
{"".join(f'<li><a href="/{i}">{e(n)}</a></li>' for i, n in enumerate(nav))}
</ul></nav>
<form class="search" action="/search"><input type="text" name="q"><button>&#128269;</button></form>
</header>
<div class="ad-slot leaderboard" data-ad-unit="top"></div>
<main class="content">
<ol class="breadcrumbs"><li><a href="/">{e(site)}</a></li><li><a href="/section">{e(section)}</a></li></ol>
<article class="story">
<h1 class="headline">{e(headline)}</h1>
<p class="byline">{e(author)} &middot; <time datetime="{date}">{date[:10]}</time></p>
{body}
</article>
<div class="share"><a href="https://twitter.com/share">Twitter</a> <a href="https://facebook.com/share">Facebook</a> <a href="mailto:">Email</a></div>
<aside class="most-read"><h3>{e(nav[0])}</h3><ol>
{"".join(f'<li><a href="/story/{i}">{e(t)}</a></li>' for i, t in enumerate(related[:5]))}
</ol></aside>
<section class="related"><h2>{e(nav[1])}</h2><ul>
{"".join(f'<li><a href="/related/{i}">{e(t)}</a></li>' for i, t in enumerate(related[5:]))}
</ul></section>
</main>
<footer class="site-footer">
<ul>{"".join(f'<li><a href="/p/{i}">{e(n)}</a></li>' for i, n in enumerate(footer_links))}</ul>
<p>&copy; {date[:4]} {e(site)}</p>
</footer>
<script src="/static/js/app.min.js" async></script>
</body>
</html>
"""


def app_shell_page(site: str) -> str:
    """A page whose content is rendered by JavaScript: nothing for an extractor to find."""
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title></title>
<script src="/static/js/{escape(site)}.bundle.js"></script></head>
<body><div id="root"></div><noscript></noscript></body>
</html>
"""


def error_page(status: int, reason: str) -> str:
    return f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1><p>nginx</p></body></html>\n"


def _label(word: str) -> str:
    return word[:1].upper() + word[1:]
