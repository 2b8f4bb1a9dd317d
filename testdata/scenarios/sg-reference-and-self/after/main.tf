resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "lb" {
  name        = "lb"
  description = "load balancer"
  vpc_id      = aws_vpc.main.id
}

# Rules as aws_security_group_rule resources.
resource "aws_security_group" "app" {
  name        = "app"
  description = "application servers"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "app_egress" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "app_from_lb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.lb.id
}

resource "aws_security_group_rule" "app_self" {
  type              = "ingress"
  security_group_id = aws_security_group.app.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  self              = true
}

# Rules as aws_vpc_security_group_*_rule resources.
resource "aws_security_group" "worker" {
  name        = "worker"
  description = "background workers"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_egress_rule" "worker_egress" {
  security_group_id = aws_security_group.worker.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "worker_from_app" {
  security_group_id            = aws_security_group.worker.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
  referenced_security_group_id = aws_security_group.app.id
}

# Self-reference in this style: the group references its own ID.
resource "aws_vpc_security_group_ingress_rule" "worker_gossip" {
  security_group_id            = aws_security_group.worker.id
  ip_protocol                  = "udp"
  from_port                    = 7946
  to_port                      = 7946
  referenced_security_group_id = aws_security_group.worker.id
}

# Inline rules referencing other groups.
resource "aws_security_group" "db" {
  name        = "db"
  description = "database"
  vpc_id      = aws_vpc.main.id

  ingress {
    description     = "postgres from app"
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.app.id]
  }
}
