import os

from audiences import Audiences

email, password = os.environ["AUDIENCES_EMAIL"], os.environ["AUDIENCES_PASSWORD"]
with Audiences(url=os.environ["AUDIENCES_URL"]) as admin:
    admin.accounts.register(
        email=email,
        password=password,
        first_name="Ada",
        last_name="Lovelace",
        organization_name="Acme",
    )
    admin.accounts.login(email=email, password=password)  # key routes take the login token
    key = admin.keys.create(name="airflow")
    print(key.api_key)  # shown this once: keep it (AUDIENCES_API_KEY)
