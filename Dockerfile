# One image for every part; docker-compose.yml (and deploy/kubernetes/) picks the part with its command.
# Nothing secret is in it: keys, passwords and credentials are made inside the running stack
# (tools/stack_secrets.py) and .dockerignore keeps local ones (.env, .data, secrets) out of the build.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt
COPY . .
RUN pip install --no-deps --no-build-isolation -e . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin hackday
# The parts run as this user; the secrets they read are made for it (tools/stack_secrets.py, PART_UID).
USER 10001
