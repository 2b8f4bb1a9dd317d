#!/usr/bin/env bash
# Run by scripts/generate-context-fixtures.sh after the plan and before the context is
# described: changes made in the console meanwhile. The app group gains tcp 8001, and
# the legacy rule on the web group is revoked, so the context and the plan's state
# before the change disagree about both.
set -euo pipefail
app_sg="$(aws ec2 describe-security-groups --filters Name=group-name,Values=app \
  --query 'SecurityGroups[0].GroupId' --output text)"
aws ec2 authorize-security-group-ingress --group-id "$app_sg" \
  --ip-permissions 'IpProtocol=tcp,FromPort=8001,ToPort=8001,IpRanges=[{CidrIp=10.0.0.0/16}]' >/dev/null
aws ec2 revoke-security-group-ingress --group-id "$web_sg_id" \
  --ip-permissions 'IpProtocol=tcp,FromPort=9000,ToPort=9000,IpRanges=[{CidrIp=10.0.0.0/8}]' >/dev/null
