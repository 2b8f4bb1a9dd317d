resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# No inline rules: every rule is a separate resource. After a refresh the
# plan still lists them inside this group's ingress/egress.
resource "aws_security_group" "api" {
  name        = "api"
  description = "API servers"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "api_https" {
  type              = "ingress"
  security_group_id = aws_security_group.api.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["10.0.0.0/16"]
}

resource "aws_security_group_rule" "api_ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.api.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["10.1.0.0/16"]
}

resource "aws_security_group_rule" "api_egress" {
  type              = "egress"
  security_group_id = aws_security_group.api.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}
