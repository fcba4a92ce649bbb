"""The web application: review queue, persons, family search, dashboard, campaign lists."""
