"""The resource types every workspace has, beside the ones it defines itself: the app types Windmill
gives each workspace (`app_theme`...) and the hub types repos commonly use. As Windmill, the server
stores a resource of any type; `wac sync push` refuses a type neither listed nor in the repo."""

from __future__ import annotations

from functools import lru_cache

_HUB = """
app_css app_custom app_group app_theme
airtable amqp anthropic appwrite asana aws aws_bedrock aws_oidc azure azure_blob bigquery c_nats clickhouse
cloudflare_r2 cohere couchdb databricks datadog discord discord_webhook dropbox duckdb dynamodb elasticsearch
email faunadb firebase gcal gcloud gcp_service_account gcs gdrive git_repository github gitlab gmail google_sheets
graphql groq gsheets gworkspace heroku http hubspot influxdb jira kafka keycloak linear mailchimp mailgun mastodon
matrix mistral mongodb mongodb_rest ms_sql_server ms_teams_webhook mqtt mysql nats neon notion oauth2 object openai
oracledb pinecone pipedrive postgresql postmark qdrant rabbitmq redis resend s3 salesforce sendgrid sftp
shopify slack smtp snowflake sqs stripe supabase telegram trello twilio upstash vault webhook wordpress zendesk
zoom
"""


@lru_cache(maxsize=1)
def known_resource_types() -> frozenset[str]:
    return frozenset(_HUB.split())
