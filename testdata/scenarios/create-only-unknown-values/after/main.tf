# Everything is new: no apply happened before this plan, so every ID and the
# EIP address are unknown at plan time.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_eip" "bastion" {
  domain = "vpc"
}

resource "aws_security_group" "lb" {
  name        = "lb"
  description = "load balancer"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "https from anywhere"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
  # no egress block: the only egress is the rule resource below
}

resource "aws_security_group" "app" {
  name        = "app"
  description = "application servers"
  vpc_id      = aws_vpc.main.id
}

# Cross references between new groups: separate rules avoid a cycle.
resource "aws_vpc_security_group_egress_rule" "lb_to_app" {
  security_group_id            = aws_security_group.lb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_lb" {
  security_group_id            = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.lb.id
}

# The CIDR is unknown until the EIP is allocated.
resource "aws_security_group_rule" "app_ssh_from_bastion" {
  type              = "ingress"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["${aws_eip.bastion.public_ip}/32"]
}

resource "aws_security_group_rule" "app_https_out" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

# Inline rule whose source group ID is unknown at plan time.
resource "aws_security_group" "cache" {
  name        = "cache"
  description = "redis"
  vpc_id      = aws_vpc.main.id

  ingress {
    description     = "redis from app"
    protocol        = "tcp"
    from_port       = 6379
    to_port         = 6379
    security_groups = [aws_security_group.app.id]
  }
}
