# The ring of endpoint-count-ring-grows (3 instances, each in its own group; group k
# admits tcp 9000 from group (k + 1) % n), created from nothing: every id is known only
# after apply.

variable "n" {
  default = 3
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "s" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_security_group" "g" {
  count  = var.n
  name   = "g${count.index}"
  vpc_id = aws_vpc.main.id

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "ref" {
  count                    = var.n
  type                     = "ingress"
  protocol                 = "tcp"
  from_port                = 9000
  to_port                  = 9000
  security_group_id        = aws_security_group.g[count.index].id
  source_security_group_id = aws_security_group.g[(count.index + 1) % var.n].id
}

resource "aws_instance" "i" {
  count                  = var.n
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.s[count.index % 2].id
  private_ip             = "10.0.${count.index % 2}.${10 + count.index}"
  vpc_security_group_ids = [aws_security_group.g[count.index].id]
}
