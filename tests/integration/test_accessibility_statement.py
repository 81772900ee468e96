"""The accessibility statement (DIGG's model), linked from every page's footer."""

import pytest


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "sv",
            ["Tillgänglighetsredogörelse", "Rapportera brister", "Tillsyn", "Innehåll som inte"],
        ),
        (
            "en",
            ["Accessibility statement", "Reporting accessibility", "Enforcement", "not accessible"],
        ),
    ],
)
def test_statement_says_what_the_model_asks_in_both_languages(module_app, lang, words):
    client = module_app.test_client()
    response = client.get(f"/accessibility?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for word in words:
        assert word in html, word
    assert "https://www.digg.se/tdosanmalan" in html
    assert f"mailto:{module_app.config['MAIL_FROM']}" in html
    assert "2018:1937" in html and "WCAG" in html


@pytest.mark.parametrize("path", ["/", "/stats", "/initiatives", "/find?q=upp", "/login"])
def test_every_footer_links_to_it(module_app, path):
    html = module_app.test_client().get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/accessibility"' in footer
