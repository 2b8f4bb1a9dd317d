# The same kind of change read through data sources, as many configurations do: the
# plan names the subnet and the group by the data sources' addresses, and knows their
# ids from the reads.

variable "public_subnet_id" { type = string }

data "aws_subnet" "public" {
  id = var.public_subnet_id
}

data "aws_security_group" "web" {
  filter {
    name   = "group-name"
    values = ["web"]
  }
}

resource "aws_instance" "app" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = data.aws_subnet.public.id
  private_ip             = "10.0.1.20"
  ipv6_address_count     = 1
  vpc_security_group_ids = [data.aws_security_group.web.id]
}
